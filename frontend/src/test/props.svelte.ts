// Props a test can change after mount: a $state proxy passed to mount().
export function reactiveProps<T extends object>(initial: T): T {
  const props = $state(initial);
  return props;
}
