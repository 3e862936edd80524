package dev.realtime.benchmarks.harness;

import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A backend of the comparison: how to make its raw-client driver (L2; none for the in-memory
 * broker, which has no client of its own) and its SDK driver (L3). Each run gets new drivers.
 *
 * @param version what the broker says it is, for the report
 */
public record Backend(String name, String version, @Nullable Supplier<Driver> raw,
    Supplier<Driver> sdk) {}
