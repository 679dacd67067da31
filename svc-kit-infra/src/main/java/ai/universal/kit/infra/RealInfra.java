package ai.universal.kit.infra;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension: {@code @ExtendWith(RealInfra.class)} on a test class, then a {@link TestInfra.Infra} parameter on
 * {@code @BeforeAll}, a constructor or a test method gets the class's own fresh database and Redis key prefix
 * (dropped after the class).
 */
public final class RealInfra implements ParameterResolver, AfterAllCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(RealInfra.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestInfra.Infra.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return classStore(context).getOrComputeIfAbsent("infra", k -> TestInfra.fresh(), TestInfra.Infra.class);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        TestInfra.Infra infra = classStore(context).remove("infra", TestInfra.Infra.class);
        if (infra != null) {
            TestInfra.drop(infra);
        }
    }

    private static ExtensionContext.Store classStore(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NS);
    }
}
