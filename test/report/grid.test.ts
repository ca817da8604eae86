// The box-drawn grid: every line as wide as the others, whatever the entries' scripts, colours off or on.
import { styleText } from 'node:util';
import t from 'tap';
import { gridLines, gridWidth, textWidth } from '../../src/report/grid.ts';

t.test('columns line up with wide (CJK) and coloured entries', async (t) => {
  const head = [{ text: 'from \\ to' }, { text: '日本' }, { text: 'redis' }];
  const columns = [
    { width: 9, align: 'left' as const },
    { width: textWidth('日本'), align: 'center' as const },
    { width: 5, align: 'center' as const },
  ];
  const colour = (text: string) => styleText('red', text, { validateStream: false });
  const rows = [[{ text: 'café' }, { text: '✓', shown: colour('✓') }, { text: 'A', shown: colour('A') }]];
  const lines = [...gridLines(columns, head, rows, { border: (x) => x, head: (x) => x })];
  t.equal(textWidth('日本'), 4, 'a CJK character takes two terminal cells');
  t.same(
    new Set(lines.map(textWidth)),
    new Set([gridWidth(columns.map((c) => c.width))]),
    'every line has the width gridWidth promises',
  );
  t.equal(
    lines[3],
    `│ café      │  ${colour('✓')}   │   ${colour('A')}   │`,
    'centred, an odd space to the right; colour does not count',
  );
});
