/** What a job works on, so the dashboard can say "Probe · Alien (1979)". */
export interface JobTarget {
  type: string;
  id: string;
  label?: string;
}
