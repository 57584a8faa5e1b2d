import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { RouterLink } from '@angular/router';

/** Where a signed-in user lands who asked for an admin page. */
@Component({
  selector: 'mq-forbidden-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="forbidden" aria-labelledby="forbidden-title">
      <h1 id="forbidden-title">Administrators only</h1>
      <p role="alert">Your account cannot open {{ from() || 'this page' }}. Ask an administrator if you need it.</p>
      <p><a routerLink="/">Back to the home page</a></p>
    </section>
  `,
  styles: `
    .forbidden {
      max-width: 40rem;
    }
  `,
})
export class ForbiddenPage {
  readonly from = input<string>('');
}
