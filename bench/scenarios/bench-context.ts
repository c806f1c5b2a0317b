import { BenchOptions } from '../bench-options';
import { Figure } from '../report/figure';

/** What every scenario adds to: the table's figures and the note's observations. */
export interface BenchContext {
  opts: BenchOptions;
  figures: Figure[];
  notes: string[];
  /** Where --cpu-prof files go, per app. */
  profileDir: string;
  log(line: string): void;
}
