// ws.js: the live event feed. It reconnects with growing, jittered delays
// and resumes with ?since=<last event id>, so nothing is missed in between.

// connectEvents opens /v1/ws and calls onEvent(envelope) for every event and
// onState('connecting' | 'open' | 'closed', info) as the connection changes.
export function connectEvents({ token, onEvent, onState }) {
  let socket = null;
  let timer = 0;
  let attempt = 0;
  let lastId = '';
  let stopped = false;

  function open() {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = `${scheme}//${location.host}/v1/ws?token=${encodeURIComponent(token)}`;
    if (lastId) url += `&since=${encodeURIComponent(lastId)}`;
    onState('connecting', { attempt });
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      onState('open', { resumed: lastId !== '' });
    };
    ws.onmessage = (msg) => {
      let ev;
      try {
        ev = JSON.parse(msg.data);
      } catch {
        return;
      }
      // A replayed event keeps its old id: resuming from it would go back.
      if (ev.id && !ev.replayed) lastId = ev.id;
      onEvent(ev);
    };
    ws.onclose = (ev) => {
      if (stopped || socket !== ws) return;
      // 4004: the log no longer has that event; start afresh (the page reloads its lists).
      if (ev.code === 4004) lastId = '';
      onState('closed', { attempt });
      const delay = Math.min(30000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt++;
      timer = setTimeout(open, delay);
    };
  }

  open();
  return {
    close() {
      stopped = true;
      clearTimeout(timer);
      socket?.close();
    },
  };
}
