import { MAX_COMPARED } from '@aisle/shared';
import { useStore } from 'zustand';
import { createStore, type StoreApi } from 'zustand/vanilla';

/** A product the shopper ticked "Compare" on. */
export interface ComparePick {
  id: string;
  title: string;
}

export interface CompareState {
  /** Ticked products, in the order ticked (at most {@link MAX_COMPARED}). */
  picks: ComparePick[];
  /** Set when a tick was refused because {@link MAX_COMPARED} are already ticked; cleared by the next change. */
  isFullNotice: boolean;
  /** The products whose comparison is open in the dialog, or null when it is closed. */
  openIds: string[] | null;
  /** Ticks or unticks a product; refuses a tick beyond the maximum (and says so). Returns whether it is ticked now. */
  toggle(pick: ComparePick): boolean;
  clear(): void;
  /** Opens the comparison of these products (the ticked ones, or an answer's "Compare these"). */
  openComparison(ids: readonly string[]): void;
  close(): void;
}

/** Creates a compare store (one per page; tests make their own). */
export function createCompareStore(): StoreApi<CompareState> {
  return createStore<CompareState>()((set, get) => ({
    picks: [],
    isFullNotice: false,
    openIds: null,
    toggle(pick) {
      const { picks } = get();
      if (picks.some((p) => p.id === pick.id)) {
        set({ picks: picks.filter((p) => p.id !== pick.id), isFullNotice: false });
        return false;
      }
      if (picks.length >= MAX_COMPARED) {
        set({ isFullNotice: true });
        return false;
      }
      set({ picks: [...picks, pick], isFullNotice: false });
      return true;
    },
    clear: () => set({ picks: [], isFullNotice: false }),
    openComparison: (ids) => set({ openIds: [...ids].slice(0, MAX_COMPARED), isFullNotice: false }),
    close: () => set({ openIds: null }),
  }));
}

/** The page's compare store: which cards are ticked and which comparison is open. */
export const compareStore = createCompareStore();

/** Reads the compare store through a selector. */
export function useCompareStore<T>(selector: (state: CompareState) => T): T {
  return useStore(compareStore, selector);
}
