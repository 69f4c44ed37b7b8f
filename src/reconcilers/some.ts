// Lists in messages stay short whatever the deployment's size.

/** "vm-a, vm-b, vm-c, vm-d, vm-e and 3 more" */
export function some(names: readonly string[], shown = 5): string {
  const first = names.slice(0, shown).join(", ");
  return names.length > shown ? `${first} and ${names.length - shown} more` : first;
}
