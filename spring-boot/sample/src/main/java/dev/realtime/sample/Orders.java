package dev.realtime.sample;

import dev.realtime.Realtime;
import org.springframework.stereotype.Service;

/** Takes orders: each is broadcast on {@code orders} for whoever handles them. */
@Service
public class Orders {
  private final Realtime realtime;

  public Orders(Realtime realtime) {
    this.realtime = realtime;
  }

  /** Publishes {@code order}; returns once the broker has it. */
  public void place(Order order) {
    realtime.broadcast("orders", "placed", order).toCompletableFuture().join();
  }
}
