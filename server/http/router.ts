import type { Route } from './route.js';

interface Node {
  literal: Map<string, Node>;
  param: { name: string; node: Node } | null;
  routes: Map<string, Route>;
}

const newNode = (): Node => ({ literal: new Map(), param: null, routes: new Map() });

export type Match =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

/** A segment trie: literal segments win over `:params`; a path with other methods answers 405. */
export class Router {
  private readonly root = newNode();

  add(route: Route): void {
    let node = this.root;
    for (const seg of split(route.path)) {
      if (seg.startsWith(':')) {
        const name = seg.slice(1);
        if (!node.param) node.param = { name, node: newNode() };
        else if (node.param.name !== name) throw new Error(`route ${route.path}: parameter :${name} clashes with :${node.param.name}`);
        node = node.param.node;
      } else {
        let next = node.literal.get(seg);
        if (!next) node.literal.set(seg, (next = newNode()));
        node = next;
      }
    }
    if (node.routes.has(route.method)) throw new Error(`route ${route.method} ${route.path} is defined twice`);
    node.routes.set(route.method, route);
  }

  match(method: string, path: string): Match {
    const params: Record<string, string> = {};
    const node = walk(this.root, split(path), 0, params);
    if (!node || node.routes.size === 0) return { kind: 'not_found' };
    const route = node.routes.get(method) ?? (method === 'HEAD' ? node.routes.get('GET') : undefined);
    if (!route) return { kind: 'method_not_allowed', allow: [...node.routes.keys()] };
    return { kind: 'found', route, params };
  }

  list(): Route[] {
    const out: Route[] = [];
    const visit = (n: Node): void => {
      out.push(...n.routes.values());
      for (const child of n.literal.values()) visit(child);
      if (n.param) visit(n.param.node);
    };
    visit(this.root);
    return out;
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0);
}

function walk(node: Node, segs: string[], i: number, params: Record<string, string>): Node | null {
  if (i === segs.length) return node;
  const seg = segs[i]!;
  const lit = node.literal.get(seg);
  if (lit) {
    const found = walk(lit, segs, i + 1, params);
    if (found && found.routes.size > 0) return found;
  }
  if (node.param) {
    let value: string;
    try {
      value = decodeURIComponent(seg);
    } catch {
      return null;
    }
    const found = walk(node.param.node, segs, i + 1, params);
    if (found) {
      params[node.param.name] = value;
      return found;
    }
  }
  return null;
}
