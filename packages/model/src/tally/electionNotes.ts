import type { Locale } from '../locale.ts';
import type { ElectionNote } from '../polls.ts';

/** Group names as the room reads them; other groups are shown as the host typed them. */
const GROUPS: Record<Locale, Record<string, string>> = {
  'zh-CN': { party: '党员', women: '女性', woman: '女性' },
  'zh-TW': { party: '黨員', women: '女性', woman: '女性' },
  en: { party: 'party members', women: 'women', woman: 'women' },
};

/**
 * One election note in the reader's language (board, vote page, minutes). `label` names a candidate
 * by option id.
 */
export function electionNoteText(note: ElectionNote, locale: Locale, label: (optionId: string) => string): string {
  const g = (group: string) => GROUPS[locale][group] ?? group;
  const list = (ids: string[]) => ids.map(label).join(locale === 'en' ? ', ' : '、');
  switch (note.code) {
    case 'below-threshold':
      return locale === 'en'
        ? `${label(note.option)}: ${note.votes} yes, ${note.needed} needed — not elected.`
        : locale === 'zh-TW'
          ? `${label(note.option)}：得 ${note.votes} 票贊成，需 ${note.needed} 票，未當選。`
          : `${label(note.option)}：得 ${note.votes} 票赞成，需 ${note.needed} 票，未当选。`;
    case 'rule':
      return locale === 'en'
        ? `${label(note.option)} passed over: ${note.need} more ${g(note.group)} would be needed with only ${note.seatsLeft} seats left.`
        : locale === 'zh-TW'
          ? `${label(note.option)} 依次遞補時跳過：若當選，剩下 ${note.seatsLeft} 個名額不足以再選出 ${note.need} 名${g(note.group)}。`
          : `${label(note.option)} 依次递补时跳过：若当选，剩下 ${note.seatsLeft} 个名额不足以再选出 ${note.need} 名${g(note.group)}。`;
    case 'tie':
      return locale === 'en'
        ? `${list(note.options)} tied on ${note.votes} for ${note.seatsLeft} seat(s): not drawn, the seats stay open for a further round.`
        : locale === 'zh-TW'
          ? `${list(note.options)} 同為 ${note.votes} 票，爭 ${note.seatsLeft} 個名額：不抽籤，名額留待另行選舉。`
          : `${list(note.options)} 同为 ${note.votes} 票，争 ${note.seatsLeft} 个名额：不抽签，名额留待另行选举。`;
    case 'rule-open':
      return locale === 'en'
        ? `${note.seats} seat(s) left for a further round, which must elect at least ${note.need} ${g(note.group)}.`
        : locale === 'zh-TW'
          ? `尚餘 ${note.seats} 個名額另行選舉，其中至少 ${note.need} 名${g(note.group)}。`
          : `尚余 ${note.seats} 个名额另行选举，其中至少 ${note.need} 名${g(note.group)}。`;
    case 'rules-unsatisfiable':
      return locale === 'en'
        ? 'No set of these candidates meets the composition rules; they were not applied.'
        : locale === 'zh-TW'
          ? '候選人無法滿足當選人構成要求，本次未套用。'
          : '候选人无法满足当选人构成要求，本次未适用。';
  }
}
