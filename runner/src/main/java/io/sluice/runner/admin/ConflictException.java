package io.sluice.runner.admin;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.util.StatusCodes;
import java.util.Optional;

/** 409 {@code conflict}: a change made against a version someone else already replaced; carries the current state. */
final class ConflictException extends AdminException {

    private static final long serialVersionUID = 1L;

    private final transient ObjectNode current;

    /** @param current the destination as it now is (masked, as every answer); null when it is gone */
    ConflictException(String message, ObjectNode current) {
        super(StatusCodes.CONFLICT, "conflict", message);
        this.current = current;
    }

    Optional<ObjectNode> current() {
        return Optional.ofNullable(current);
    }
}
