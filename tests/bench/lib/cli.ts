/**
 * Arguments of the standalone bench scripts (`bench:profile`,
 * `bench:profile-connect`): `--name N` numbers, `--name word` words, `--out DIR`, and the command
 * line as it was typed, for the results file.
 */
import { join, resolve } from "node:path";
import { ROOT } from "../../helpers/server";

export function scriptArgs(script: string, argv = process.argv.slice(2)) {
  const at = (name: string) => argv.indexOf(`--${name}`);
  return {
    /** `--name N` as a number, or `fallback`. */
    num: (name: string, fallback: number) => (at(name) >= 0 ? Number(argv[at(name) + 1]) : fallback),
    /** `--name word`, or `fallback`. */
    str: (name: string, fallback: string) => (at(name) >= 0 ? (argv[at(name) + 1] ?? fallback) : fallback),
    /** Whether `--name` is there. */
    has: (name: string) => at(name) >= 0,
    /** `--out DIR`, or docs/bench. */
    out: at("out") >= 0 ? resolve(argv[at("out") + 1]!) : join(ROOT, "docs", "bench"),
    command: `npm run ${script}${argv.length ? ` -- ${argv.join(" ")}` : ""}`,
  };
}
