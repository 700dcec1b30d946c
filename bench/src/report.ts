import os from 'node:os';

export interface ResultRow {
  scenario: string;
  metric: string;
  value: number;
  unit: string;
  /** A figure measured (or modelled) for comparison: the bare Socket.IO floor, the polling peer. */
  reference?: { label: string; value: number };
  /** The issue's target for this metric and whether this run met it. */
  target?: { text: string; met: boolean };
}

export interface ScenarioOutcome {
  name: string;
  completed: boolean;
  seconds: number;
  error?: string;
}

export interface MachineFacts {
  cores: number;
  cpuModel: string;
  memoryBytes: number;
  node: string;
  platform: string;
}

export interface BenchResults {
  label: string;
  agents: number;
  startedAt: string;
  durationSeconds: number;
  machine: MachineFacts;
  scenarios: ScenarioOutcome[];
  rows: ResultRow[];
  notes: string[];
  /** The machine's 1, 5 and 15-minute load averages when the run started and ended (others sharing it show here). */
  load?: { atStart: number[]; atEnd: number[] };
}

export function machineFacts(): MachineFacts {
  return { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryBytes: os.totalmem(), node: process.version, platform: `${os.platform()} ${os.release()}` };
}

const fmt = (v: number) => (Number.isNaN(v) ? 'n/a' : Math.abs(v) >= 100 ? Math.round(v).toLocaleString('en-US') : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

/** The ratio printed beside absolute figures (shared machines are noisy; ratios less so). */
export function ratio(row: ResultRow): number | undefined {
  if (!row.reference || row.reference.value === 0 || Number.isNaN(row.reference.value)) return undefined;
  return row.value / row.reference.value;
}

export function toMarkdown(r: BenchResults): string {
  const m = r.machine;
  const lines = [
    `# Flotilla benchmark — ${r.label}`,
    '',
    `${r.agents.toLocaleString('en-US')} simulated agents · ${r.startedAt} · ${Math.round(r.durationSeconds)} s · ${m.cores} cores (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(0)} GiB, Node ${m.node}, ${m.platform}`,
    '',
    'The hub, PostgreSQL, Redis and the simulated agents share this machine, so absolute figures include their contention; the ratios compare figures taken in the same run.',
    ...(r.load ? ['', `Load average (1, 5, 15 min) at the start: ${r.load.atStart.map((v) => v.toFixed(1)).join(', ')}; at the end: ${r.load.atEnd.map((v) => v.toFixed(1)).join(', ')} (${m.cores} cores: above ${m.cores}, other work shared the machine).`] : []),
    '',
    '| scenario | metric | value | reference | ratio | target | met |',
    '|---|---|---:|---|---:|---|:-:|',
  ];
  for (const row of r.rows) {
    const ref = row.reference ? `${row.reference.label}: ${fmt(row.reference.value)} ${row.unit}` : '';
    const q = ratio(row);
    lines.push(`| ${row.scenario} | ${row.metric} | ${fmt(row.value)} ${row.unit} | ${ref} | ${q === undefined ? '' : `${fmt(q)}×`} | ${row.target?.text ?? ''} | ${row.target ? (row.target.met ? 'yes' : '**no**') : ''} |`);
  }
  lines.push('', '| scenario | completed | seconds |', '|---|:-:|---:|');
  for (const s of r.scenarios) lines.push(`| ${s.name} | ${s.completed ? 'yes' : `**no**: ${(s.error ?? '').split('\n')[0]}`} | ${fmt(s.seconds)} |`);
  if (r.notes.length > 0) lines.push('', ...r.notes.map((n) => `- ${n}`));
  return `${lines.join('\n')}\n`;
}
