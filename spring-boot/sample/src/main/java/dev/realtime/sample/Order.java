package dev.realtime.sample;

/** An order, as the payload of the {@code orders} channel (JSON). */
public record Order(long id, String item, String email) {}
