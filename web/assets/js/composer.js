// The input box. Enter sends, Shift+Enter breaks the line, and Enter while an input method
// (pinyin, wubi, zhuyin...) is composing only confirms the candidate: it never sends the
// half-typed "nihao".
//
// Browsers differ in how they report composition: Chrome and Firefox set
// KeyboardEvent.isComposing on the confirming Enter; Safari fires compositionend *before*
// that keydown and reports keyCode 229 instead. Checking isComposing, keyCode 229 and our
// own compositionstart/compositionend flag covers all three.

export const MAX_MESSAGE_CHARS = 2000; // the REST/socket channel refuses longer messages

export class Composer {
  constructor({ form, input, button, onSend }) {
    this.form = form;
    this.input = input;
    this.button = button;
    this.onSend = onSend;
    this.composing = false;

    input.addEventListener("compositionstart", () => {
      this.composing = true;
    });
    input.addEventListener("compositionend", () => {
      // Cleared after the current event loop turn: Safari's confirming keydown comes next.
      setTimeout(() => {
        this.composing = false;
      }, 0);
    });
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.shiftKey) return;
      if (event.isComposing || event.keyCode === 229 || this.composing) return;
      event.preventDefault();
      this.submit();
    });
    input.addEventListener("input", () => this.refresh());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.refresh();
  }

  submit() {
    const text = this.input.value.trim();
    if (!text || this.composing) return;
    this.input.value = "";
    this.refresh();
    this.onSend(text.slice(0, MAX_MESSAGE_CHARS));
    this.input.focus();
  }

  refresh() {
    this.button.disabled = !this.input.value.trim();
    // Grow with the text up to the CSS max-height, then scroll.
    this.input.style.height = "auto";
    this.input.style.height = `${this.input.scrollHeight}px`;
  }
}
