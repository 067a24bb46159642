import fs from 'node:fs';

/**
 * A large, deterministic outdoor-shop catalogue for the bench, written as Google Merchant rows (JSONL)
 * so it goes through the project's own importer. Same seed, same file: runs stay comparable. The
 * vocabulary overlaps the bench question ("waterproof hiking boots for wide feet") the way a real shop
 * would: each of its words matches 11-48% of 100k rows and all of them about 1%, so the catalogue
 * search intersects long posting lists, as it would for a common question in a big shop.
 */

/** mulberry32: small, fast, seeded; good enough to vary products, not for anything secret. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BRANDS = [
  'Cairnwell',
  'Northmark',
  'Ridgeway',
  'Fellbrook',
  'Stonehaven',
  'Larchpoint',
  'Tideline',
  'Kestrel Works',
  'Bracken & Vale',
  'Summitcraft',
  'Glenmoor',
  'Alderfield',
  'Ironbark',
  'Wildermere',
  'Coldwater',
  'Highpass',
];

const LINES: ReadonlyArray<{ noun: string; type: string; category: string; sizes: readonly string[]; price: [number, number] }> =
  [
    {
      noun: 'Hiking Boot',
      type: 'Shoes > Hiking boots',
      category: 'Apparel & Accessories > Shoes > Boots',
      sizes: ['39', '40', '41', '42', '43', '44', '45', '46'],
      price: [79, 249],
    },
    {
      noun: 'Trail Shoe',
      type: 'Shoes > Trail running shoes',
      category: 'Apparel & Accessories > Shoes > Athletic Shoes',
      sizes: ['38', '39', '40', '41', '42', '43', '44', '45'],
      price: [69, 179],
    },
    {
      noun: 'Approach Shoe',
      type: 'Shoes > Approach shoes',
      category: 'Apparel & Accessories > Shoes > Athletic Shoes',
      sizes: ['39', '40', '41', '42', '43', '44', '45'],
      price: [89, 199],
    },
    {
      noun: 'Walking Sandal',
      type: 'Shoes > Sandals',
      category: 'Apparel & Accessories > Shoes > Sandals',
      sizes: ['38', '39', '40', '41', '42', '43', '44'],
      price: [39, 119],
    },
    {
      noun: 'Rain Jacket',
      type: 'Clothing > Jackets',
      category: 'Apparel & Accessories > Clothing > Outerwear',
      sizes: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
      price: [59, 399],
    },
    {
      noun: 'Down Jacket',
      type: 'Clothing > Jackets',
      category: 'Apparel & Accessories > Clothing > Outerwear',
      sizes: ['XS', 'S', 'M', 'L', 'XL'],
      price: [99, 449],
    },
    {
      noun: 'Fleece',
      type: 'Clothing > Mid layers',
      category: 'Apparel & Accessories > Clothing > Activewear',
      sizes: ['S', 'M', 'L', 'XL'],
      price: [35, 129],
    },
    {
      noun: 'Hiking Trousers',
      type: 'Clothing > Trousers',
      category: 'Apparel & Accessories > Clothing > Pants',
      sizes: ['28', '30', '32', '34', '36', '38'],
      price: [45, 159],
    },
    {
      noun: 'Hiking Sock',
      type: 'Clothing > Socks',
      category: 'Apparel & Accessories > Clothing > Underwear & Socks',
      sizes: ['S', 'M', 'L'],
      price: [12, 29],
    },
    {
      noun: 'Gaiter',
      type: 'Accessories > Gaiters',
      category: 'Sporting Goods > Outdoor Recreation > Hiking',
      sizes: ['S/M', 'L/XL'],
      price: [19, 69],
    },
    {
      noun: 'Daypack',
      type: 'Bags > Daypacks',
      category: 'Luggage & Bags > Backpacks',
      sizes: ['20 L', '25 L', '30 L'],
      price: [39, 169],
    },
    {
      noun: 'Trekking Pack',
      type: 'Bags > Trekking packs',
      category: 'Luggage & Bags > Backpacks',
      sizes: ['45 L', '55 L', '65 L'],
      price: [119, 329],
    },
    {
      noun: 'Tent',
      type: 'Camping > Tents',
      category: 'Sporting Goods > Outdoor Recreation > Camping & Hiking > Tents',
      sizes: ['1 person', '2 person', '3 person'],
      price: [99, 699],
    },
    {
      noun: 'Sleeping Bag',
      type: 'Camping > Sleeping bags',
      category: 'Sporting Goods > Outdoor Recreation > Camping & Hiking > Sleeping Bags',
      sizes: ['Regular', 'Long'],
      price: [69, 459],
    },
    {
      noun: 'Trekking Pole',
      type: 'Accessories > Poles',
      category: 'Sporting Goods > Outdoor Recreation > Hiking',
      sizes: ['110 cm', '120 cm', '130 cm'],
      price: [29, 149],
    },
    {
      noun: 'Headlamp',
      type: 'Accessories > Lights',
      category: 'Sporting Goods > Outdoor Recreation > Camping & Hiking',
      sizes: ['One size'],
      price: [19, 99],
    },
  ];

const FEATURES = [
  'Waterproof',
  'Lightweight',
  'Insulated',
  'Breathable',
  'Wide Fit',
  'All-Weather',
  'Alpine',
  'Trail',
  'Ultralight',
  'Winter',
  'Summer',
  'Vegan',
  'Recycled',
  'Packable',
  'Rugged',
  'Quick-Dry',
  'Merino',
  'Gore-Tex',
  'Mid',
  'Low',
];
const MODELS = ['Shrike', 'Talon', 'Ember', 'Drift', 'Ridge', 'Scree', 'Fjord', 'Cirrus', 'Tarn', 'Bothy', 'Cobble', 'Heron'];
const COLOURS = ['Black', 'Forest Green', 'Slate', 'Rust', 'Navy', 'Sand', 'Ochre', 'Storm Grey'];
const MATERIALS = ['Nubuck leather', 'Knit upper', 'Recycled polyester', 'Nylon ripstop', 'Merino wool', 'Full-grain leather'];
const CLAUSES = [
  'A waterproof membrane keeps feet and gear dry through puddles, bogs and shallow streams.',
  'Cut on a wide last for hikers with wide feet or high insteps.',
  'The grippy outsole holds on wet rock, mud and loose scree.',
  'Light enough for fast day hikes, tough enough for multi-day treks.',
  'Breathable lining moves sweat out on warm uphill sections.',
  'Padded collar and tongue for comfort on long walking days.',
  'Insulated for cold mornings on the hill and winter walks.',
  'Packs down small and weighs next to nothing in a rucksack.',
  'Made with recycled materials and PFC-free water repellent.',
  'Reinforced toe cap protects against rocks and roots.',
];

/** A whole-dollar price in range, ending .99 most often, as Merchant text. */
function price(random: () => number, [min, max]: readonly [number, number]): string {
  const dollars = min + Math.floor(random() * (max - min + 1));
  const cents = [99, 99, 99, 95, 0, 50][Math.floor(random() * 6)] ?? 99;
  return `${dollars}.${String(cents).padStart(2, '0')} USD`;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/**
 * Writes `count` product rows (grouped as size variants of about 2,000-25,000 products) to `file` as
 * JSONL and resolves when the file is complete.
 */
export async function writeSyntheticCatalogue(file: string, count: number, seed = 20_260_808): Promise<void> {
  const random = seededRandom(seed);
  const out = fs.createWriteStream(file, { encoding: 'utf8' });
  let written = 0;
  let group = 0;
  while (written < count) {
    group += 1;
    const line = pick(random, LINES);
    const brand = pick(random, BRANDS);
    const features = [pick(random, FEATURES), ...(random() < 0.5 ? [pick(random, FEATURES)] : [])];
    const title = `${brand} ${pick(random, MODELS)} ${[...new Set(features)].join(' ')} ${line.noun}`;
    const description = Array.from({ length: 2 + Math.floor(random() * 3) }, () => pick(random, CLAUSES)).join(' ');
    const groupId = `SYN-${String(group).padStart(6, '0')}`;
    const colour = pick(random, COLOURS);
    const listPrice = price(random, line.price);
    const material = pick(random, MATERIALS);
    const rating = Math.round((2.5 + random() * 2.5) * 10) / 10;
    const reviews = Math.floor(random() * 800);
    for (const size of line.sizes) {
      if (written >= count) break;
      written += 1;
      const quantity = random() < 0.15 ? 0 : Math.floor(random() * 40);
      const row = {
        id: `${groupId}-${size.replace(/[^A-Za-z0-9]/g, '')}`,
        title,
        description,
        price: listPrice,
        availability: quantity > 0 ? 'in_stock' : 'out_of_stock',
        brand,
        mpn: `${brand.slice(0, 3).toUpperCase()}-${group}`,
        condition: 'new',
        product_type: line.type,
        google_product_category: line.category,
        item_group_id: groupId,
        color: colour,
        size,
        age_group: 'adult',
        material,
        rating,
        review_count: reviews,
        quantity,
      };
      if (!out.write(`${JSON.stringify(row)}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
}
