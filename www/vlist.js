// A virtualised listbox: fixed-height rows, only those in view (and a few either side)
// exist in the DOM, so 10,000 entries cost what 20 do. Keyboard: arrows, Page Up/Down,
// Home, End move the selection (aria-activedescendant); Enter activates it.

export class VirtualList {
  /**
   * @param {HTMLElement} el the scrolling element (role="listbox", tabindex="0"), holding a `.spacer`
   * @param {{ rowHeight: number, idPrefix: string, render: (i: number) => HTMLElement,
   *           onSelect?: (i: number) => void, onActivate?: (i: number) => void }} options
   */
  constructor(el, options) {
    this.el = el;
    this.options = options;
    const spacer = el.querySelector(".spacer");
    if (!(spacer instanceof HTMLElement)) throw new Error("a virtual list needs a .spacer inside");
    this.spacer = spacer;
    this.count = 0;
    this.active = 0;
    el.addEventListener("scroll", () => requestAnimationFrame(() => this.draw()));
    el.addEventListener("click", (event) => {
      const row = /** @type {HTMLElement} */ (event.target).closest("[data-index]");
      if (row instanceof HTMLElement) this.select(Number(row.dataset.index), true);
    });
    el.addEventListener("dblclick", () => this.count && options.onActivate?.(this.active));
    el.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && this.count) {
        event.preventDefault();
        options.onActivate?.(this.active);
        return;
      }
      const page = Math.max(1, Math.floor(el.clientHeight / options.rowHeight) - 1);
      /** @type {Record<string, number>} */
      const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
      let to;
      if (event.key === "Home") to = 0;
      else if (event.key === "End") to = this.count - 1;
      else if (event.key in moves) to = this.active + moves[event.key];
      else return;
      event.preventDefault();
      this.select(to, true);
    });
  }

  /** New contents: `count` rows, the selection kept where it can be. @param {number} count */
  setCount(count) {
    this.count = count;
    this.active = Math.max(0, Math.min(this.active, count - 1));
    this.spacer.style.height = `${count * this.options.rowHeight}px`;
    this.draw();
  }

  /** @param {number} i @param {boolean} scroll bring it into view */
  select(i, scroll) {
    if (this.count === 0) return;
    this.active = Math.max(0, Math.min(this.count - 1, i));
    if (scroll) {
      const { rowHeight } = this.options;
      const y = this.active * rowHeight;
      if (y < this.el.scrollTop) this.el.scrollTop = y;
      else if (y + rowHeight > this.el.scrollTop + this.el.clientHeight) this.el.scrollTop = y + rowHeight - this.el.clientHeight;
    }
    this.draw();
    this.options.onSelect?.(this.active);
  }

  draw() {
    const { rowHeight, idPrefix, render } = this.options;
    const top = this.el.scrollTop;
    const height = this.el.clientHeight || 400;
    const first = Math.max(0, Math.floor(top / rowHeight) - 5);
    const last = Math.min(this.count, Math.ceil((top + height) / rowHeight) + 5);
    const nodes = [];
    for (let i = first; i < last; i++) {
      const row = render(i);
      row.id = `${idPrefix}${i}`;
      row.setAttribute("role", "option");
      row.setAttribute("aria-selected", i === this.active ? "true" : "false");
      row.setAttribute("aria-setsize", String(this.count));
      row.setAttribute("aria-posinset", String(i + 1));
      row.dataset.index = String(i);
      row.style.top = `${i * rowHeight}px`; // CSSOM, which the page's CSP allows (a style attribute it would not)
      nodes.push(row);
    }
    this.spacer.replaceChildren(...nodes);
    if (this.count) this.el.setAttribute("aria-activedescendant", `${idPrefix}${this.active}`);
    else this.el.removeAttribute("aria-activedescendant");
  }
}
