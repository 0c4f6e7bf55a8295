// Scrolling for the log viewer (Blazor has no scroll API). The view sticks to the end while the user is at the end;
// scrolling up unsticks it until they scroll back down.
export function attach(el) {
  el.__stick = true;
  el.addEventListener('scroll', () => { el.__stick = el.scrollTop + el.clientHeight >= el.scrollHeight - 4; }, { passive: true });
}

export function followEnd(el) {
  if (el.__stick !== false) el.scrollTop = el.scrollHeight;
}

// Centres row `index` (fixed-height rows, as Virtualize places them).
export function scrollToRow(el, index, rowHeight) {
  el.__stick = false;
  el.scrollTop = Math.max(0, index * rowHeight - el.clientHeight / 2);
}

// Rows were added above: move down by as much so the same line stays in view.
export function shiftRows(el, count, rowHeight) {
  el.__stick = false;
  el.scrollTop += count * rowHeight;
}
