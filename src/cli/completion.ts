// Shell completion scripts for bash, zsh and fish, generated from the commander command tree (never by hand).

import type { Command } from '@commander-js/extra-typings';

/** The shells `prober completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
export type CompletionShell = (typeof COMPLETION_SHELLS)[number];

/** What completion needs of one command: its words, flags, which flags take a value and which values. */
interface Node {
  path: string;
  summary: string;
  subcommands: Node[];
  flags: string[];
  valueFlags: { short?: string; long?: string; choices?: readonly string[] }[];
}

type AnyCommand = Command<unknown[], Record<string, unknown>, Record<string, unknown>>;

function tree(command: AnyCommand, path: string): Node {
  const options = command.options.filter((o) => !o.hidden);
  return {
    path,
    summary: command.summary() || command.description().split('\n')[0] || '',
    subcommands: (command.commands as AnyCommand[])
      .filter((c) => c.name() !== 'help')
      .map((c) => tree(c, path === '' ? c.name() : `${path} ${c.name()}`)),
    flags: [...options.flatMap((o) => [o.short, o.long]), '--help'].filter((f): f is string => f !== undefined),
    valueFlags: options
      .filter((o) => o.required || o.optional)
      .map((o) => ({
        ...(o.short ? { short: o.short } : {}),
        ...(o.long ? { long: o.long } : {}),
        ...(o.argChoices ? { choices: o.argChoices } : {}),
      })),
  };
}

function all(node: Node): Node[] {
  return [node, ...node.subcommands.flatMap(all)];
}

const name = (node: Node) => node.path.split(' ').at(-1) ?? '';

/** bash: one function per question (subcommands, flags, values of a flag), each a `case` on the command path. */
function bash(root: Node): string {
  const nodes = all(root);
  const cases = (body: (n: Node) => string | undefined) =>
    nodes
      .map((n) => [n.path, body(n)] as const)
      .filter(([, b]) => b)
      .map(([p, b]) => `    '${p}') ${b} ;;`)
      .join('\n');
  const values = nodes
    .flatMap((n) =>
      n.valueFlags.map((f) => {
        const keys = [f.short, f.long].filter((k) => k !== undefined).map((k) => `'${n.path} ${k}'`);
        return `    ${keys.join('|')}) echo ${f.choices ? `'${f.choices.join(' ')}'` : '@file'} ;;`;
      }),
    )
    .join('\n');
  return `# prober completion for bash: source <(prober completion bash)
_prober_subcommands() {
  case "$1" in
${cases((n) => (n.subcommands.length ? `echo '${n.subcommands.map(name).join(' ')}'` : undefined))}
  esac
}
_prober_flags() {
  case "$1" in
${cases((n) => `echo '${n.flags.join(' ')}'`)}
  esac
}
_prober_values() {
  case "$1 $2" in
${values}
  esac
}
_prober() {
  # "cmd", not "path": zsh ties $path to $PATH.
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" cmd="" i w values
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w != -* && " $(_prober_subcommands "$cmd") " == *" $w "* ]]; then cmd="\${cmd:+$cmd }$w"; fi
  done
  values="$(_prober_values "$cmd" "$prev")"
  # Unquoted on purpose: one word per line of compgen (no word here has a space; zsh has no mapfile).
  if [[ $values == @file ]]; then
    COMPREPLY=($(compgen -f -- "$cur"))
  elif [[ -n $values ]]; then
    COMPREPLY=($(compgen -W "$values" -- "$cur"))
  elif [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_prober_flags "$cmd")" -- "$cur"))
  else
    COMPREPLY=($(compgen -W "$(_prober_subcommands "$cmd")" -- "$cur"))
  fi
}
complete -F _prober prober kubectl-prober
`;
}

/** fish: `complete` lines, each guarded by the subcommands seen so far. */
function fish(root: Node): string {
  const quote = (s: string) => `'${s.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
  const lines = ['# prober completion for fish: prober completion fish | source', 'complete -c prober -f'];
  for (const node of all(root)) {
    const words = node.path === '' ? [] : node.path.split(' ');
    const seen = words.map((w) => `__fish_seen_subcommand_from ${w}`);
    const notDeeper = node.subcommands.length
      ? [`not __fish_seen_subcommand_from ${node.subcommands.map(name).join(' ')}`]
      : [];
    const guard = node.path === '' ? ['__fish_use_subcommand'] : [...seen, ...notDeeper];
    const condition = quote(guard.join('; and '));
    for (const sub of node.subcommands) {
      lines.push(`complete -c prober -n ${condition} -a ${quote(name(sub))} -d ${quote(sub.summary)}`);
    }
    for (const flag of node.flags) {
      const spec = flag.startsWith('--') ? `-l ${flag.slice(2)}` : `-s ${flag.slice(1)}`;
      const value = node.valueFlags.find((f) => f.short === flag || f.long === flag);
      const takes = !value ? '' : value.choices ? ` -x -a ${quote(value.choices.join(' '))}` : ' -r -F';
      lines.push(`complete -c prober -n ${quote([...seen].join('; and ') || 'true')} ${spec}${takes}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/**
 * The completion script for `shell`, from the registered commands. zsh uses the bash functions through
 * bashcompinit (zsh's own emulation of `complete`), so the two never disagree.
 */
export function completionScript(program: AnyCommand, shell: CompletionShell): string {
  const root = tree(program, '');
  switch (shell) {
    case 'bash':
      return bash(root);
    case 'zsh':
      return `#compdef prober kubectl-prober\n# prober completion for zsh: source <(prober completion zsh)\nautoload -U +X bashcompinit && bashcompinit\n${bash(root)}`;
    case 'fish':
      return fish(root);
    default: {
      const never: never = shell;
      return never;
    }
  }
}
