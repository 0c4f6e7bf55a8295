// Automatic recovery after the daemon restarts. Blazor marks #components-reconnect-modal with
// components-reconnect-show / -failed / -rejected (ASP.NET Core docs, "Blazor SignalR guidance", custom reconnection UI).
// A restarted daemon no longer knows the circuit and rejects it: reload, the session cookie still holds. If every retry
// failed (the daemon is still down), keep retrying quietly.
(() => {
  const modal = document.getElementById('components-reconnect-modal');
  if (!modal) return;
  let timer = null;
  new MutationObserver(() => {
    if (modal.classList.contains('components-reconnect-rejected')) { location.reload(); return; }
    if (modal.classList.contains('components-reconnect-failed') && timer === null) {
      timer = setInterval(async () => {
        try { if (await window.Blazor.reconnect()) { clearInterval(timer); timer = null; } } catch { /* still down */ }
      }, 2000);
    }
  }).observe(modal, { attributes: true, attributeFilter: ['class'] });
})();
