// Reading a whole list from an SDK: its iterator follows ARM's nextLink page by page.
export async function collect<T, U>(items: AsyncIterable<T>, map: (item: T) => U): Promise<U[]> {
  const out: U[] = [];
  for await (const item of items) out.push(map(item));
  return out;
}
