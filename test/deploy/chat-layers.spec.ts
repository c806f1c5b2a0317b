import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The chat's folders in layers (docs/architecture.md "Chat as built"): a file may import from its
 * own folder or from a folder of a LOWER layer, never from a higher one nor sideways from another
 * folder of its own layer (that is how cycles start). The outbox sits at the bottom, the event
 * routing and recovery at the top; a new folder must be given its layer here.
 */
const LAYERS: Record<string, number> = {
  config: 0,
  http: 0,
  outbox: 1,
  users: 2,
  connections: 2,
  protocol: 2,
  metrics: 2,
  contacts: 3,
  inbox: 3,
  members: 3,
  'group-messages': 4,
  groups: 5,
  events: 6,
  recovery: 6,
  commands: 6,
  progress: 7,
  board: 7,
  health: 7,
  docs: 7,
  database: 7,
};
const ROOT = resolve(__dirname, '../../apps/chat/src');
/** Files directly in src/ (the app module, main) wire everything: above every folder. */
const TOP = Number.MAX_SAFE_INTEGER;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

const folderOf = (file: string) => {
  const parts = relative(ROOT, file).split(sep);
  return parts.length === 1 ? '' : parts[0];
};
const layerOf = (folder: string) => (folder === '' ? TOP : LAYERS[folder]);

/** Relative imports of a file, type-only ones included (they couple the code just the same). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s+['"](\.[^'"]+)['"]/g)].map((m) => m[1]);
  return specifiers.map((s) => resolve(dirname(file), s)).filter((p) => p.startsWith(ROOT + sep));
}

describe('chat folder layers', () => {
  const files = sources(ROOT);

  it('every folder of apps/chat/src has a layer', () => {
    const unknown = [...new Set(files.map(folderOf))].filter((f) => f !== '' && !(f in LAYERS));
    expect(unknown).toEqual([]);
  });

  it('no import runs from a lower folder to a higher one, or sideways between folders of one layer', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = folderOf(file);
      for (const target of importsOf(file)) {
        const to = folderOf(target + '.ts');
        if (to === from) continue;
        if (layerOf(to) >= layerOf(from)) violations.push(`${relative(ROOT, file)} (${from}, layer ${layerOf(from)}) imports ${relative(ROOT, target)} (${to}, layer ${layerOf(to)})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('the check sees an upward import when there is one', () => {
    // The chat's lowest folder importing its highest would be caught: the rule is not vacuous.
    expect(layerOf('events')).toBeGreaterThan(layerOf('outbox'));
    expect(files.some((f) => folderOf(f) === 'outbox')).toBe(true);
    expect(importsOf(join(ROOT, 'events', 'event-routes.ts')).some((t) => folderOf(t + '.ts') === 'groups')).toBe(true);
  });
});
