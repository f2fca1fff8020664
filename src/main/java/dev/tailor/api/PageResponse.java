package dev.tailor.api;

import java.util.List;

/** One page of a listing; {@code page} counts from 0. */
public record PageResponse<T>(List<T> items, int page, int size, long totalItems, long totalPages) {

    /** The largest page any listing hands out. */
    public static final int MAX_SIZE = 200;

    public static <T> PageResponse<T> of(List<T> items, int page, int size, long totalItems) {
        return new PageResponse<>(items, page, size, totalItems, (totalItems + size - 1) / size);
    }
}
