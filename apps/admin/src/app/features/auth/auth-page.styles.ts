/** Shared look of the signed-out pages (sign-in, first start). */
export const authPageStyles = `
  .auth {
    max-width: 24rem;
    margin: 0 auto;
    padding: 3rem 1.25rem;
  }
  h1 {
    color: var(--mq-accent);
    margin: 0 0 1.5rem;
    font-size: 2.2rem;
  }
  h2 {
    margin: 0 0 1rem;
  }
  form {
    display: flex;
    flex-direction: column;
    gap: 0.4rem;
  }
  label {
    font-weight: 600;
    margin-top: 0.5rem;
  }
  input {
    font: inherit;
    padding: 0.55rem 0.7rem;
    border: 1px solid var(--mq-muted);
    border-radius: 6px;
    background: var(--mq-bg);
    color: var(--mq-fg);
  }
  button {
    margin-top: 1rem;
  }
  .error {
    color: var(--mq-error);
    font-weight: 600;
  }
  .notice,
  .aside,
  .hint {
    color: var(--mq-muted);
  }
`;
