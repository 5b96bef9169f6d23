package io.sluice.kinesis;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Hands tests a {@link TestKinesis}: one kinesalite server for the whole test run, started on first
 * use and stopped when the run ends.
 */
final class KinesaliteExtension implements ParameterResolver {

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestKinesis.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(ExtensionContext.Namespace.create(KinesaliteExtension.class))
                .getOrComputeIfAbsent(TestKinesis.class, type -> TestKinesis.start(), TestKinesis.class);
    }
}
