package io.sluice.spi.settings;

import java.util.Optional;

/**
 * A rule over several settings, such as "secretAccessKey is required with accessKeyId". It sees
 * only the values that passed their own checks, so it reports what the per-field errors do not.
 */
@FunctionalInterface
public interface CrossCheck {
    Optional<SettingError> check(Settings settings);
}
