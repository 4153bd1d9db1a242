/**
 * Limits per user and per address, across every connection they hold in the
 * room (USER_LIMITS): how many connections, and one chat bucket each, so that
 * a second tab, a second socket or an HTTP post never buys more throughput,
 * and one user's flood is refused before it reaches storage. Pure, clocked by
 * the caller. Counts are rebuilt from the sessions when a room wakes.
 */
import { USER_LIMITS } from "../protocol";
import { BucketMap } from "./rate";

export class UserLimits {
  private readonly perUser = new Map<string, number>();
  private readonly perAddress = new Map<string, number>();
  private readonly userChat = new BucketMap(USER_LIMITS.chatBurst, USER_LIMITS.chatPerSecond);
  private readonly addressChat = new BucketMap(USER_LIMITS.addressChatBurst, USER_LIMITS.addressChatPerSecond);

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
  }

  addUser(user: string): void {
    bump(this.perUser, user, 1);
  }

  removeUser(user: string): void {
    bump(this.perUser, user, -1);
  }

  /** Takes a chat token for the user and the address: false (refuse) if either is empty. */
  takeChat(user: string, address: string, now: number): boolean {
    if (address && !this.addressChat.take(address, now)) return false;
    return this.userChat.take(user, now);
  }

  /** For the inspector: users and addresses counted. */
  get sizes(): { users: number; addresses: number; chatBuckets: number } {
    return { users: this.perUser.size, addresses: this.perAddress.size, chatBuckets: this.userChat.size + this.addressChat.size };
  }
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const n = (map.get(key) ?? 0) + by;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
