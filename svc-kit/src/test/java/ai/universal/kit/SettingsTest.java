package ai.universal.kit;

import java.time.Duration;
import java.util.Map;

import ai.universal.kit.data.Database;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SettingsTest {
    private final Config config = Config.builder()
            .disableEnvironmentVariablesSource()
            .disableSystemPropertiesSource()
            .addSource(ConfigSources.create(Map.of("auth.port", "9000", "auth.ttl", "15m")))
            .build();

    @Test
    void environmentWinsOverConfigWhichWinsOverDefault() {
        Settings settings = new Settings(config, Map.of("AUTH_PORT", "7000")::get);
        assertEquals(7000, settings.integer("AUTH_PORT", "auth.port", 1));
        assertEquals(9000, new Settings(config, k -> null).integer("AUTH_PORT", "auth.port", 1));
        assertEquals(1, new Settings(config, k -> null).integer("X_PORT", "x.port", 1));
    }

    @Test
    void durationsAcceptIsoAndUnits() {
        assertEquals(Duration.ofMinutes(15), Settings.duration("15m"));
        assertEquals(Duration.ofMillis(250), Settings.duration("250ms"));
        assertEquals(Duration.ofSeconds(30), Settings.duration("PT30S"));
        assertEquals(Duration.ofDays(30), Settings.duration("30d"));
        assertEquals(Duration.ofMinutes(15), new Settings(config, k -> null).duration("TTL", "auth.ttl", Duration.ZERO));
    }

    @Test
    void invalidValueNamesTheSetting() {
        Settings settings = new Settings(config, Map.of("AUTH_PORT", "eighty")::get);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                                                  () -> settings.integer("AUTH_PORT", null, 1));
        assertEquals("Setting AUTH_PORT has an invalid value 'eighty'", e.getMessage());
    }

    @Test
    void databaseUrlFormsAreParsed() {
        Database.JdbcTarget seed = Database.JdbcTarget.parse("postgres://app:p%40ss@db:6543/platform");
        assertEquals("jdbc:postgresql://db:6543/platform", seed.jdbcUrl());
        assertEquals("app", seed.user());
        assertEquals("p@ss", seed.password());
        Database.JdbcTarget jdbc = Database.JdbcTarget.parse("jdbc:postgresql://127.0.0.1:5432/test?user=bob");
        assertEquals("bob", jdbc.user());
        assertNull(jdbc.password());
        assertThrows(IllegalArgumentException.class, () -> Database.JdbcTarget.parse("mysql://x/y"));
    }
}
