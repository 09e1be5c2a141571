// What the page remembers across reloads, in localStorage:
//   session id  -> the same Rasa conversation after a reload or a reconnect;
//   history     -> the messages to show again (Rasa's tracker has them too, but reading it
//                  needs the Rasa API token, which must never reach a browser);
//   sign-in     -> the signed customer token and who it is for, until it expires.
// Signing out forgets all three, so the next person at a shared computer starts clean.

const PREFIX = "qy-chat/v1/";
const KEYS = { session: `${PREFIX}session`, history: `${PREFIX}history`, auth: `${PREFIX}auth` };
export const MAX_HISTORY = 200;

function read(key) {
  try {
    const raw = window.localStorage.getItem(key);
    return raw == null ? null : JSON.parse(raw);
  } catch (error) {
    return null; // private mode, corrupt value: behave like a first visit
  }
}

function write(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (error) {
    return false; // quota exceeded or storage disabled
  }
}

function remove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (error) {
    // storage disabled: nothing stored either
  }
}

/** 32 hex characters. crypto.randomUUID needs a secure context; getRandomValues does not. */
export function newSessionId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class ChatStore {
  constructor() {
    const session = read(KEYS.session);
    // The same characters the REST channel allows in a sender id.
    this.sessionId = typeof session === "string" && /^[A-Za-z0-9_.:@-]{1,128}$/.test(session) ? session : null;
    if (!this.sessionId) this.setSessionId(newSessionId());
    const history = read(KEYS.history);
    this.messages = Array.isArray(history) ? history.filter(isMessage) : [];
    this.auth = validAuth(read(KEYS.auth));
  }

  setSessionId(id) {
    this.sessionId = id;
    write(KEYS.session, id);
  }

  add(message) {
    this.messages.push(message);
    if (this.messages.length > MAX_HISTORY) this.messages.splice(0, this.messages.length - MAX_HISTORY);
    this.saveHistory();
    return message;
  }

  saveHistory() {
    // On a full quota keep the newer half rather than lose everything.
    while (!write(KEYS.history, this.messages) && this.messages.length > 1) {
      this.messages.splice(0, Math.ceil(this.messages.length / 2));
    }
  }

  /** The token while it is valid for at least another 30 seconds, else null. */
  currentAuth(now = Date.now()) {
    if (this.auth && Date.parse(this.auth.expiresAt) - 30000 > now) return this.auth;
    return null;
  }

  signIn(auth) {
    this.auth = validAuth(auth);
    if (this.auth) write(KEYS.auth, this.auth);
    return this.auth;
  }

  /** The token lapsed: forget it, keep the conversation. */
  forgetAuth() {
    this.auth = null;
    remove(KEYS.auth);
  }

  /** Forget who was signed in and start a new, empty conversation. */
  signOut() {
    this.forgetAuth();
    this.messages = [];
    remove(KEYS.history);
    this.setSessionId(newSessionId());
  }
}

function isMessage(m) {
  return m && typeof m === "object" && typeof m.role === "string" && typeof m.at === "number" && m.data;
}

function validAuth(auth) {
  if (!auth || typeof auth.token !== "string" || typeof auth.expiresAt !== "string") return null;
  const customer = auth.customer || {};
  if (!Number.isInteger(customer.id) || typeof customer.name !== "string") return null;
  return { token: auth.token, expiresAt: auth.expiresAt, customer: { id: customer.id, name: customer.name } };
}
