package ai.universal.edge.local;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;

/**
 * Watches kong.yml's directory and calls back (once per burst of events) when the file is written, created or
 * moved into place.
 */
final class ConfigWatcher implements AutoCloseable {
    private static final System.Logger LOGGER = System.getLogger(ConfigWatcher.class.getName());

    private final WatchService service;
    private final Thread thread;

    ConfigWatcher(Path file, Runnable onChange) {
        Path absolute = file.toAbsolutePath();
        Path dir = absolute.getParent();
        Path name = absolute.getFileName();
        try {
            service = FileSystems.getDefault().newWatchService();
            dir.register(service, StandardWatchEventKinds.ENTRY_MODIFY, StandardWatchEventKinds.ENTRY_CREATE);
        } catch (IOException e) {
            throw new IllegalStateException("cannot watch " + dir, e);
        }
        thread = Thread.ofPlatform().daemon().name("kong-yml-watch").start(() -> {
            try {
                while (true) {
                    WatchKey key = service.take();
                    boolean ours = false;
                    for (WatchEvent<?> event : key.pollEvents()) {
                        if (name.equals(event.context())) {
                            ours = true;
                        }
                    }
                    key.reset();
                    if (ours) {
                        // let the writer finish; collect the burst of events a save makes
                        WatchKey more;
                        while ((more = service.poll(150, TimeUnit.MILLISECONDS)) != null) {
                            more.pollEvents();
                            more.reset();
                        }
                        onChange.run();
                    }
                }
            } catch (InterruptedException | ClosedWatchServiceException e) {
                LOGGER.log(System.Logger.Level.DEBUG, "config watch stopped");
            }
        });
    }

    @Override
    public void close() {
        try {
            service.close();
        } catch (IOException e) {
            LOGGER.log(System.Logger.Level.DEBUG, "closing watch service: " + e.getMessage());
        }
        thread.interrupt();
    }
}
