import { inReadingOrder, planArchivePages } from './archive-pages.js';

const page = (archiveEntry: string) => ({ id: `file-${archiveEntry}`, itemId: `item-${archiveEntry}`, archiveEntry });

describe('archive pages', () => {
  it('reads pages in natural order, whatever their case', () => {
    expect(inReadingOrder([{ name: '10.jpg' }, { name: 'b/1.jpg' }, { name: '2.jpg' }, { name: 'A.png' }]).map((e) => e.name)).toEqual([
      '2.jpg',
      '10.jpg',
      'A.png',
      'b/1.jpg',
    ]);
  });

  it('keeps the pages still there, adds the new entries and removes the rest, numbered by their new place', () => {
    const plan = planArchivePages(
      [page('1.jpg'), page('2.jpg'), page('10.jpg')],
      [{ name: '10.jpg' }, { name: '1.jpg' }, { name: '5.jpg' }],
    );
    expect(plan.kept).toEqual([
      { page: page('1.jpg'), indexNumber: 1 },
      { page: page('10.jpg'), indexNumber: 3 },
    ]);
    expect(plan.added).toEqual([{ name: '5.jpg', indexNumber: 2 }]);
    expect(plan.removed).toEqual([page('2.jpg')]);
  });

  it('an archive emptied of images removes every page; a new one adds them all', () => {
    expect(planArchivePages([page('a.jpg')], [])).toEqual({ kept: [], added: [], removed: [page('a.jpg')] });
    expect(planArchivePages([], [{ name: 'x.png' }])).toEqual({ kept: [], added: [{ name: 'x.png', indexNumber: 1 }], removed: [] });
  });

  it('matches names exactly: a renamed entry is a new page', () => {
    const plan = planArchivePages([page('Cover.jpg')], [{ name: 'cover.jpg' }]);
    expect(plan).toEqual({ kept: [], added: [{ name: 'cover.jpg', indexNumber: 1 }], removed: [page('Cover.jpg')] });
  });
});
