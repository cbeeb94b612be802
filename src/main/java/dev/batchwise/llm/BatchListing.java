package dev.batchwise.llm;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Paging through a provider's batch list, newest first, back to a point in time: what
 * {@link ProviderAdapter#listSince} does for both providers, whose lists differ only in their cursor's name.
 */
public final class BatchListing {

    private BatchListing() {
    }

    /** One page: its batches (newest first), whether there are older ones, and the cursor to them. */
    public record Page<T>(List<T> items, boolean hasMore, String lastId) {
    }

    /**
     * The items created at or after {@code since}, in the pages' order. {@code page} reads the page after a
     * cursor (null: the first page); the next page is read only when the previous one is used up, had more,
     * and reached no older item. An item without a creation time is kept (better one too many for a caller
     * looking for its own batch than one missed) and does not end the listing.
     */
    public static <T> Multi<T> since(Instant since, Function<T, Instant> createdAt, Function<String, Uni<Page<T>>> page) {
        return from(null, since, createdAt, page);
    }

    private static <T> Multi<T> from(String cursor, Instant since, Function<T, Instant> createdAt,
                                     Function<String, Uni<Page<T>>> page) {
        return Uni.createFrom().deferred(() -> page.apply(cursor)).onItem().transformToMulti(p -> {
            List<T> kept = new ArrayList<>();
            boolean reachedOlder = false;
            for (T item : p.items() == null ? List.<T>of() : p.items()) {
                Instant created = createdAt.apply(item);
                if (created != null && created.isBefore(since)) {
                    reachedOlder = true;
                } else {
                    kept.add(item);
                }
            }
            Multi<T> here = Multi.createFrom().iterable(kept);
            boolean more = !reachedOlder && p.hasMore() && !kept.isEmpty() && p.lastId() != null
                    // a cursor that does not move would page forever
                    && !p.lastId().equals(cursor);
            return more ? Multi.createBy().concatenating().streams(here,
                    Multi.createFrom().deferred(() -> from(p.lastId(), since, createdAt, page))) : here;
        });
    }
}
