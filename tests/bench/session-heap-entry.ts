/** What `npm run bench:session-heap` bundles as partykit bundles a room (tests/bench/session-heap.ts). */
export { DEFAULT_CONFIG } from "../../party/core/config";
export { DirectoryReporter } from "../../party/core/directory-report";
export { RoomCore } from "../../party/core/room";
