/**
 * Writes the Prometheus text exposition format (version 0.0.4): one `# HELP`
 * and `# TYPE` per metric family, then its samples, label values escaped as
 * the format requires (backslash, double quote, newline).
 */

export type Labels = Record<string, string>;
export type MetricType = "counter" | "gauge";

/** The content type scrapers expect. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Collects metric families and renders them. */
export class MetricsText {
  private readonly lines: string[] = [];

  /** One family: `samples` may be empty (the family is still declared, so dashboards see it exists). */
  family(name: string, type: MetricType, help: string, samples: Array<[Labels, number]>): this {
    this.lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) this.lines.push(`${name}${labelText(labels)} ${formatValue(value)}`);
    return this;
  }

  /** A family with a single sample. */
  one(name: string, type: MetricType, help: string, labels: Labels, value: number): this {
    return this.family(name, type, help, [[labels, value]]);
  }

  toString(): string {
    return `${this.lines.join("\n")}\n`;
  }
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}
