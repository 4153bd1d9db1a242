/**
 * The plain `ws` peer: a Node WebSocket server that re-broadcasts every frame
 * to every socket on the same path (the sender included), like the null room.
 * It is the Node upper bound for fan-out. Run as a child process:
 * PORT=1234 node --import tsx tests/bench/peers/ws-broadcast.ts
 */
import { WebSocketServer, type WebSocket } from "ws";

const port = Number(process.env.PORT);
const rooms = new Map<string, Set<WebSocket>>();
const wss = new WebSocketServer({ host: "127.0.0.1", port, perMessageDeflate: false });

wss.on("connection", (ws, req) => {
  const room = req.url ?? "/";
  let members = rooms.get(room);
  if (!members) rooms.set(room, (members = new Set()));
  members.add(ws);
  ws.on("message", (data, isBinary) => {
    for (const peer of members) if (peer.readyState === peer.OPEN) peer.send(data, { binary: isBinary });
  });
  ws.on("close", () => {
    members.delete(ws);
    if (members.size === 0) rooms.delete(room);
  });
  ws.on("error", () => ws.terminate());
});
wss.on("listening", () => console.log(`listening ${port}`));
