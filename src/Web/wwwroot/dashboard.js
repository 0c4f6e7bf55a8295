// Automatic recovery after the daemon restarts. Blazor marks #components-reconnect-modal with
// components-reconnect-show / -failed / -rejected (ASP.NET Core docs, "Blazor SignalR guidance", custom reconnection UI).
// A restarted daemon no longer knows the circuit and rejects it: reload, the session cookie still holds. If every retry
// failed (the daemon is still down), keep retrying quietly.
// While the circuit is down, ask /session (DashboardGate.SessionPath) too: the gate closes the circuits of a session that
// ended (logout, expiry, `mydocker dashboard --revoke-all`) and refuses their reconnection; then reload, and the gate's
// page says why and how to log in again.
(() => {
  const modal = document.getElementById('components-reconnect-modal');
  if (!modal) return;
  let timer = null;
  const ended = async () => {
    try {
      const r = await fetch('/session', { cache: 'no-store' });
      return r.status === 400 || r.status === 401;
    } catch { return false; /* the daemon is down */ }
  };
  new MutationObserver(() => {
    const c = modal.classList;
    if (c.contains('components-reconnect-rejected')) { location.reload(); return; }
    if ((c.contains('components-reconnect-show') || c.contains('components-reconnect-failed')) && timer === null) {
      timer = setInterval(async () => {
        if (await ended()) { location.reload(); return; }
        if (!c.contains('components-reconnect-failed')) return; // Blazor is still retrying by itself
        try { if (await window.Blazor.reconnect()) { clearInterval(timer); timer = null; } } catch { /* still down */ }
      }, 2000);
    }
    if (!c.contains('components-reconnect-show') && !c.contains('components-reconnect-failed') && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  }).observe(modal, { attributes: true, attributeFilter: ['class'] });
})();
