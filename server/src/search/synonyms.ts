/**
 * Shoppers' words for what the catalogue calls something else: groups of words and phrases that mean
 * the same product. Applied at query time (any word of a group may match, every query term must), so
 * editing `search.synonyms` needs no reindex. Built-in groups cover common English shopping words
 * (British and American), plus a few German and Spanish ones; a shop adds its own in `aisle.yaml`.
 */

/** Common shopping synonyms. A word or phrase sits in one group only (the table merges overlaps). */
export const BUILT_IN_SYNONYMS: ReadonlyArray<readonly string[]> = [
  // Bags
  ['backpack', 'rucksack', 'daypack', 'knapsack', 'back pack', 'mochila'],
  ['fanny pack', 'bum bag', 'hip pack', 'waist pack', 'belt bag', 'hip bag', 'bauchtasche', 'riñonera'],
  ['duffel', 'duffle', 'holdall', 'duffel bag', 'kit bag', 'reisetasche'],
  ['handbag', 'purse'],
  ['wallet', 'billfold', 'geldbörse', 'cartera'],
  // Footwear
  [
    'sneakers',
    'trainers',
    'running shoes',
    'runners',
    'athletic shoes',
    'tennis shoes',
    'turnschuhe',
    'laufschuhe',
    'zapatillas',
  ],
  ['hiking boots', 'walking boots', 'trekking boots', 'backpacking boots', 'wanderschuhe', 'botas de montaña'],
  ['sandals', 'sandalen', 'sandalias'],
  ['slides', 'sliders', 'flip flops', 'pool slides'],
  // Clothing
  ['jacket', 'jacke', 'chaqueta'],
  ['coat', 'overcoat', 'mantel', 'abrigo'],
  ['rain jacket', 'raincoat', 'waterproof jacket', 'shell jacket', 'rain shell', 'waterproof shell', 'regenjacke', 'chubasquero'],
  ['puffer', 'down jacket', 'puffer jacket', 'insulated jacket', 'daunenjacke', 'plumífero'],
  ['parka', 'anorak'],
  ['windbreaker', 'windcheater', 'wind jacket', 'wind shell'],
  ['gilet', 'bodywarmer', 'body warmer', 'sleeveless jacket'],
  ['hoodie', 'hoody', 'hooded sweatshirt', 'sweatshirt', 'kapuzenpullover', 'sudadera'],
  ['jumper', 'sweater', 'pullover', 'pulli', 'jersey de punto'],
  ['trousers', 'pants', 'slacks', 'pantalones'],
  ['tights', 'leggings'],
  ['t-shirt', 'tee', 'tshirt', 't shirt', 'camiseta'],
  ['base layer', 'baselayer', 'thermals', 'thermal underwear', 'long johns', 'funktionsunterwäsche'],
  ['beanie', 'woolly hat', 'knit hat', 'bobble hat', 'toque', 'mütze'],
  ['swimsuit', 'swimming costume', 'bathing suit', 'swimwear', 'badeanzug', 'bañador'],
  ['socks', 'socken', 'calcetines'],
  ['gloves', 'handschuhe', 'guantes'],
  // Outdoor and sport
  ['tent', 'zelt', 'tienda de campaña'],
  ['sleeping bag', 'camping quilt', 'schlafsack', 'saco de dormir'],
  ['sleeping mat', 'sleeping pad', 'camping mat', 'camping pad', 'roll mat', 'isomatte', 'esterilla'],
  ['headlamp', 'head torch', 'headtorch', 'head lamp', 'stirnlampe', 'linterna frontal'],
  ['flashlight', 'torch', 'taschenlampe', 'linterna'],
  ['lantern', 'camp light', 'camping light', 'laterne'],
  ['camp stove', 'camping stove', 'backpacking stove', 'gas stove', 'kocher', 'hornillo'],
  ['trekking poles', 'hiking poles', 'walking poles', 'walking sticks', 'wanderstöcke'],
  ['water bottle', 'drinks bottle', 'drinking bottle', 'trinkflasche', 'botella de agua'],
  ['vacuum flask', 'thermos', 'insulated bottle', 'thermoskanne', 'termo'],
  ['cooler', 'cool box', 'cool bag', 'esky', 'kühlbox', 'nevera portátil'],
  ['bike', 'bicycle', 'cycle', 'fahrrad', 'bicicleta'],
  ['helmet', 'helm', 'casco'],
  ['yoga mat', 'exercise mat', 'fitness mat', 'gym mat', 'yogamatte', 'esterilla de yoga'],
  ['dumbbell', 'dumbbells', 'hand weights', 'free weights', 'hanteln', 'mancuernas'],
  ['jump rope', 'skipping rope', 'springseil', 'comba'],
  // Electronics
  ['smartphone', 'cellphone', 'cell phone', 'mobile phone', 'mobile', 'móvil'],
  ['headphones', 'headset', 'over-ear headphones', 'kopfhörer', 'auriculares'],
  ['earbuds', 'earphones', 'in-ear headphones', 'wireless earbuds', 'ohrhörer'],
  ['speaker', 'loudspeaker', 'bluetooth speaker', 'lautsprecher', 'altavoz'],
  ['fitness tracker', 'activity tracker', 'fitness band', 'activity band', 'step counter', 'pedometer'],
  ['smartwatch', 'smart watch', 'gps watch', 'sports watch', 'sportuhr'],
  ['power bank', 'portable charger', 'battery pack', 'powerbank'],
  ['charger', 'power adapter', 'ladegerät', 'cargador'],
  ['laptop', 'notebook computer', 'portátil'],
  ['television', 'tv', 'fernseher', 'televisor'],
  // Home and kitchen
  ['sofa', 'couch', 'settee', 'sofá'],
  ['armchair', 'easy chair', 'sessel', 'sillón'],
  ['wardrobe', 'closet', 'kleiderschrank', 'armario'],
  ['chest of drawers', 'dresser', 'kommode', 'cómoda'],
  ['duvet', 'comforter', 'bettdecke', 'edredón'],
  ['rug', 'carpet', 'teppich', 'alfombra'],
  ['fridge', 'refrigerator', 'kühlschrank', 'nevera'],
  ['frying pan', 'skillet', 'frypan', 'fry pan', 'bratpfanne', 'sartén'],
  ['saucepan', 'cooking pot', 'kochtopf', 'cazo'],
  ['kettle', 'wasserkocher', 'hervidor'],
  ['coffee maker', 'coffee machine', 'kaffeemaschine', 'cafetera'],
  ['mug', 'cup', 'tasse', 'taza'],
  ['bin', 'trash can', 'garbage can', 'rubbish bin', 'waste bin', 'mülleimer'],
  // Baby
  ['stroller', 'pushchair', 'pram', 'buggy', 'kinderwagen', 'cochecito'],
  ['diaper', 'nappy', 'windel', 'pañal'],
  ['pacifier', 'dummy', 'schnuller', 'chupete'],
  // Accessories
  ['sunglasses', 'sonnenbrille', 'gafas de sol'],
  ['glasses', 'eyeglasses', 'spectacles', 'brille'],
];

/** A word or phrase as the table compares it: lower case, hyphens as spaces, plurals trimmed. */
export function synonymKey(phrase: string): string {
  return phrase
    .toLowerCase()
    .normalize('NFC')
    .split(/[\s-]+/)
    .filter((w) => w.length > 0)
    .map((w) => (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1) : w))
    .join(' ');
}

/** Longest phrase (in words) any group holds: bounds the look-ahead over a query's words. */
const MAX_PHRASE_WORDS = 4;

/** The synonym groups in force, looked up by word or phrase. */
export interface SynonymTable {
  /**
   * Splits query words into units: a run of words that is a synonym phrase ("running shoes") becomes
   * one unit with its group's alternatives; any other word is a unit of its own with no alternatives.
   */
  units(words: readonly string[]): Array<{ words: string[]; alternatives: string[] | null }>;
  /** The alternatives of one word or phrase, or null when it is in no group. */
  groupOf(phrase: string): string[] | null;
  /** Every single word in the groups (for typo correction: "rucksak" -> rucksack). */
  words(): string[];
}

/**
 * Builds the table from groups; a word or phrase found in two groups joins them into one, so a shop's
 * group that names a built-in word extends that group.
 */
export function createSynonymTable(groups: ReadonlyArray<readonly string[]>): SynonymTable {
  const byKey = new Map<string, Set<string>>();
  for (const group of groups) {
    const phrases = group.map((p) => p.trim().toLowerCase()).filter((p) => synonymKey(p).length > 0);
    let merged = new Set<string>(phrases);
    for (const p of phrases) {
      const existing = byKey.get(synonymKey(p));
      if (existing && existing !== merged) merged = new Set([...existing, ...merged]);
    }
    for (const p of merged) byKey.set(synonymKey(p), merged);
  }
  const allWords = [...new Set([...byKey.keys()].flatMap((k) => k.split(' ')))];
  const groupOf = (phrase: string): string[] | null => {
    const found = byKey.get(synonymKey(phrase));
    return found ? [...found] : null;
  };
  return {
    groupOf,
    words: () => allWords,
    units(words) {
      const out: Array<{ words: string[]; alternatives: string[] | null }> = [];
      let i = 0;
      while (i < words.length) {
        let taken = 0;
        for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1 && taken === 0; n -= 1) {
          const run = words.slice(i, i + n);
          const alternatives = groupOf(run.join(' '));
          if (alternatives) {
            out.push({ words: run, alternatives });
            taken = n;
          }
        }
        if (taken === 0) {
          out.push({ words: words.slice(i, i + 1), alternatives: null });
          taken = 1;
        }
        i += taken;
      }
      return out;
    },
  };
}
