/** Every scenario, in the order a full run measures them. */
import { fanout } from "./fanout";
import { hibernation } from "./hibernation";
import { presence } from "./presence";
import { stability } from "./stability";
import { transports } from "./transports";
import type { Scenario } from "./types";
import { yjsFanout } from "./yjs-fanout";
import { wake } from "./wake";
import { yjsLoad } from "./yjs-load";

export const SCENARIOS: Scenario[] = [fanout, yjsFanout, yjsLoad, hibernation, wake, presence, transports, stability];
