import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';

/** Root: the sign-in pages, or the signed-in shell with every feature lazy-loaded inside (see app.routes.ts). */
@Component({
  selector: 'mq-root',
  imports: [RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<router-outlet />`,
})
export class App {}
