// The peer: a minimal Node.js `ws` broadcast server speaking the subset of the hub protocol the driver uses
// (subscribe, publish → message to every subscriber of the channel, ok replies). No auth, no history, no limits.
const { WebSocketServer } = require('ws');
const port = Number(process.argv[2] || 18099);
const channels = new Map();
let offset = 0;
const wss = new WebSocketServer({ port, host: '127.0.0.1', perMessageDeflate: false });
wss.on('connection', (ws) => {
  ws.subs = new Set();
  ws.on('message', (raw) => {
    let f;
    try { f = JSON.parse(raw); } catch { return; }
    if (f.type === 'subscribe') {
      if (!channels.has(f.channel)) channels.set(f.channel, new Set());
      channels.get(f.channel).add(ws);
      ws.subs.add(f.channel);
      ws.send(JSON.stringify({ id: f.id, type: 'ok', channel: f.channel }));
    } else if (f.type === 'publish') {
      const msg = JSON.stringify({ type: 'message', channel: f.channel, offset: ++offset, data: f.data, publisher: 'peer' });
      for (const c of channels.get(f.channel) || []) c.send(msg);
      ws.send(JSON.stringify({ id: f.id, type: 'ok', channel: f.channel, offset }));
    } else if (f.type === 'ping') {
      ws.send('{"type":"pong"}');
    }
  });
  ws.on('close', () => { for (const ch of ws.subs) channels.get(ch)?.delete(ws); });
});
wss.on('listening', () => console.log('peer listening on ' + port));
