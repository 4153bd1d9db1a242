/**
 * The Hocuspocus peer: @hocuspocus/server with no extensions (no persistence,
 * no auth hook), as a product would start it. Run as a child process:
 * PORT=1234 node --import tsx tests/bench/peers/hocuspocus.ts
 */
import { Server } from "@hocuspocus/server";

const port = Number(process.env.PORT);
const server = new Server({ port, address: "127.0.0.1", quiet: true, stopOnSignals: true });
await server.listen();
console.log(`listening ${port}`);
