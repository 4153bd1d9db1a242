/** Every scenario, in the order a full run measures them. */
import { fanout } from "./fanout";
import { hibernation } from "./hibernation";
import { presence } from "./presence";
import type { Scenario } from "./types";

export const SCENARIOS: Scenario[] = [fanout, hibernation, presence];
