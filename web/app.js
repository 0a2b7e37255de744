// Wires the deep-chat widget to the Rasa server's socket.io channel (channels/webchat.py).
// Every text from the server or the person is escaped before it reaches the page: nothing they
// send is ever interpreted as HTML.
import { io } from "./socket.io.js";
import "./deep-chat.js";

const settings = document.body.dataset;
const SESSION_KEY = "lbp-webchat-session";
const MESSAGES_KEY = "lbp-webchat-messages";
// Created here, after deep-chat is defined, so every setting below is in place at its first render.
const chat = document.createElement("deep-chat");
chat.id = "chat";

const ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ESCAPES[c]);

// The answer button the person chose; its payload is sent instead of the title shown.
let chosen = null;
// The assistant's latest message, shown again after "forget me" has cleared the page.
let lastShown = null;
let sessionId = localStorage.getItem(SESSION_KEY);
// Messages typed before the server confirmed the session, sent once it has.
const outbox = [];

/** One message from Rasa's socket.io output as escaped HTML, or null if it shows nothing. */
function toHtml(message) {
  const parts = [];
  if (typeof message.text === "string" && message.text.trim()) {
    parts.push(`<p class="lbp-text">${escapeHtml(message.text)}</p>`);
  }
  const buttons = (Array.isArray(message.quick_replies) ? message.quick_replies : []).filter(
    (b) => b && typeof b.title === "string" && typeof b.payload === "string",
  );
  if (buttons.length) {
    const items = buttons
      .map(
        (b) =>
          `<button type="button" class="lbp-choice" data-payload="${escapeHtml(b.payload)}">` +
          `${escapeHtml(b.title)}</button>`,
      )
      .join("");
    parts.push(`<div class="lbp-choices" role="group" aria-label="Possible answers">${items}</div>`);
  }
  return parts.length ? parts.join("") : null;
}

function choose(button) {
  chosen = { title: button.textContent, payload: button.dataset.payload };
  chat.submitUserMessage({ text: chosen.title });
}

const socket = io(settings.namespace || "/", { path: settings.socketPath || "/socket.io" });
let confirmed = false;
let widget = null; // deep-chat's signals, once it has called the handler below
const inbox = []; // replies that arrived before that

function send(message) {
  if (!confirmed) {
    outbox.push(message);
    return;
  }
  socket.emit(settings.userEvent || "user_uttered", { message, session_id: sessionId });
}

function show(html) {
  lastShown = html;
  if (widget) widget.onResponse({ role: "ai", html });
  else inbox.push(html);
}

/** Forget the conversation in this browser too: the transcript, its storage and the session id. */
function dropConversation() {
  localStorage.removeItem(SESSION_KEY);
  localStorage.removeItem(MESSAGES_KEY);
  sessionId = null;
  chosen = null;
  confirmed = false;
  chat.clearMessages();
}

socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
socket.on("session_confirm", (id) => {
  if (typeof id !== "string") return;
  if (sessionId && id !== sessionId) chat.clearMessages();
  sessionId = id;
  localStorage.setItem(SESSION_KEY, id);
  confirmed = true;
  widget?.onOpen();
  outbox.splice(0).forEach(send);
});
socket.on("disconnect", () => {
  confirmed = false;
  widget?.onClose();
});
// The server deleted this conversation ("forget me"): keep only its confirmation, then start afresh.
socket.on("session_forgotten", () => {
  const confirmation = lastShown;
  dropConversation();
  if (confirmation) show(confirmation);
  socket.emit("session_request", {});
});
socket.on(settings.botEvent || "bot_uttered", (message) => {
  const html = message && typeof message === "object" ? toHtml(message) : null;
  if (html) show(html);
});

chat.connect = {
  websocket: true,
  handler: (_, signals) => {
    signals.newUserMessage.listener = (body) => {
      const text = body?.messages?.[0]?.text ?? "";
      const payload = chosen && chosen.title === text ? chosen.payload : text;
      chosen = null;
      send(payload);
    };
    widget = signals;
    if (confirmed) signals.onOpen();
    inbox.splice(0).forEach(show);
  },
};

chat.browserStorage = { key: MESSAGES_KEY, maxMessages: 500 };
chat.remarkable = { html: false, typographer: false };
chat.introMessage = {
  text:
    "Hello! Tell me in your own words what hurts and when: where the pain is, how it feels, " +
    "and what makes it better or worse. I'll ask a few questions and then explain which " +
    "possible causes fit. I can't diagnose you.",
};
chat.textInput = { placeholder: { text: "Type your message" } };
chat.htmlClassUtilities = { "lbp-choice": { events: { click: (event) => choose(event.target) } } };
chat.chatStyle = {
  width: "100%",
  height: "100%",
  border: "none",
  backgroundColor: "#ffffff",
};
chat.messageStyles = {
  default: {
    shared: { bubble: { maxWidth: "85%", lineHeight: "1.4" } },
    ai: { bubble: { backgroundColor: "#eef2f6", color: "#1a1a1a" } },
    user: { bubble: { backgroundColor: "#0b4f8a", color: "#ffffff" } },
  },
  html: { shared: { bubble: { maxWidth: "85%", backgroundColor: "#eef2f6", color: "#1a1a1a" } } },
};
chat.auxiliaryStyle = `
  .lbp-text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
  .lbp-choices { display: flex; flex-wrap: wrap; gap: 0.4rem; margin-top: 0.6rem; }
  .lbp-choice {
    padding: 0.45rem 0.75rem; font: inherit; font-size: 0.9rem; color: #0b4f8a;
    background: #fff; border: 1px solid #0b4f8a; border-radius: 999px; cursor: pointer;
  }
  .lbp-choice:hover { background: #e3eef8; }
  .lbp-choice:focus-visible, #text-input:focus-visible, .input-button:focus-visible {
    outline: 3px solid #1d70b8; outline-offset: 2px;
  }
  .text-message { overflow-wrap: anywhere; }
`;
// Labels for screen readers on deep-chat's own elements (re-applied when it re-renders).
function label() {
  const root = chat.shadowRoot;
  const messages = root?.getElementById("messages");
  if (messages && messages.getAttribute("role") !== "log") {
    messages.setAttribute("role", "log");
    messages.setAttribute("aria-live", "polite");
    messages.setAttribute("aria-label", "Conversation");
  }
  const submit = root?.querySelector(".submit-button");
  if (submit && submit.getAttribute("aria-label") !== "Send message") {
    submit.setAttribute("aria-label", "Send message");
  }
}
// A font of our own keeps deep-chat from fetching its default web font from a CDN.
chat.style.fontFamily = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
new MutationObserver(label).observe(chat.shadowRoot, { childList: true, subtree: true });
document.getElementById("chat-area").prepend(chat);

document.getElementById("new-conversation").addEventListener("click", () => {
  dropConversation();
  lastShown = null;
  socket.emit("session_request", {});
  chat.focusInput();
});
