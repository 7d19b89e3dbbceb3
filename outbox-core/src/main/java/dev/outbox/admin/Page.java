package dev.outbox.admin;

import java.util.List;

/**
 * One page of a listing.
 *
 * @param items the items, in the listing's order
 * @param nextCursor what to pass to get the next page, or null when this is the last one
 */
public record Page<T>(List<T> items, String nextCursor) {

  /** Copies the items. */
  public Page {
    items = List.copyOf(items);
  }
}
