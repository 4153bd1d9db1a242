/**
 * Limits per user and per address, across every connection they hold in the
 * room (USER_LIMITS): how many connections, one chat bucket, one text-frame
 * bucket and one strike window each, so that a second tab, a second socket or
 * an HTTP post never buys more throughput, one user's flood is refused before
 * it reaches storage, and sixty sockets strike out together, not one by one. Pure, clocked by
 * the caller. Counts are rebuilt from the sessions when a room wakes.
 */
import { RATE_LIMIT, USER_LIMITS } from "../protocol";
import { BucketMap, StrikeWindow } from "./rate";

export class UserLimits {
  private readonly perUser = new Map<string, number>();
  private readonly perAddress = new Map<string, number>();
  private readonly userChat = new BucketMap(USER_LIMITS.chatBurst, USER_LIMITS.chatPerSecond);
  private readonly addressChat = new BucketMap(USER_LIMITS.addressChatBurst, USER_LIMITS.addressChatPerSecond);
  /** Text frames, over every connection of a user and of an address. */
  private readonly userFrames = new BucketMap(USER_LIMITS.frameBurst, USER_LIMITS.framePerSecond);
  private readonly addressFrames = new BucketMap(USER_LIMITS.addressFrameBurst, USER_LIMITS.addressFramePerSecond);
  /** Strike windows of users ("u:") and addresses ("a:") that have struck, forgotten with their last connection. */
  private readonly strikes = new Map<string, StrikeWindow>();

  constructor(
    private readonly maxPerUser: number,
    private readonly maxPerAddress: number,
  ) {}

  /** Whether one more connection from `address` fits ("" = unknown: no address limit). */
  addressHasRoom(address: string): boolean {
    return address === "" || (this.perAddress.get(address) ?? 0) < this.maxPerAddress;
  }

  /** Whether one more connection of `user` fits. */
  userHasRoom(user: string): boolean {
    return (this.perUser.get(user) ?? 0) < this.maxPerUser;
  }

  addAddress(address: string): void {
    if (address) bump(this.perAddress, address, 1);
  }

  removeAddress(address: string): void {
    if (address) bump(this.perAddress, address, -1);
    if (!this.perAddress.has(address)) this.strikes.delete(`a:${address}`);
  }

  addUser(user: string): void {
    bump(this.perUser, user, 1);
  }

  removeUser(user: string): void {
    bump(this.perUser, user, -1);
    if (!this.perUser.has(user)) this.strikes.delete(`u:${user}`);
  }

  /** Takes a text-frame token for the user (undefined before an open room's hello) and the address ("" = unknown): false (refuse) if either is empty. */
  takeFrame(user: string | undefined, address: string, now: number): boolean {
    if (address && !this.addressFrames.take(address, now)) return false;
    return !user || this.userFrames.take(user, now);
  }

  /**
   * Records a strike against the user and the address; true once either is
   * past its strikes in the window (USER_LIMITS.userStrikes, addressStrikes):
   * then each of their connections is closed at its next strike.
   */
  strike(user: string | undefined, address: string, now: number): boolean {
    const userOut = !!user && this.window(`u:${user}`, USER_LIMITS.userStrikes).record(now);
    const addressOut = !!address && this.window(`a:${address}`, USER_LIMITS.addressStrikes).record(now);
    return userOut || addressOut;
  }

  private window(key: string, max: number): StrikeWindow {
    let w = this.strikes.get(key);
    if (!w) this.strikes.set(key, (w = new StrikeWindow(max, RATE_LIMIT.strikeWindowMs)));
    return w;
  }

  /** Takes a chat token for the user and the address: false (refuse) if either is empty. */
  takeChat(user: string, address: string, now: number): boolean {
    if (address && !this.addressChat.take(address, now)) return false;
    return this.userChat.take(user, now);
  }

  /** For the inspector: users and addresses counted. */
  get sizes(): { users: number; addresses: number; chatBuckets: number } {
    return { users: this.perUser.size, addresses: this.perAddress.size, chatBuckets: this.userChat.size + this.addressChat.size + this.userFrames.size + this.addressFrames.size };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
