package ai.universal.ml;

/** A request named a model this service does not serve. */
public final class UnknownModelException extends RuntimeException {

    private final String model;

    UnknownModelException(String model, Iterable<String> known) {
        super("The model '" + model + "' does not exist; models served here: " + String.join(", ", known));
        this.model = model;
    }

    /** The id that was asked for. */
    public String model() {
        return model;
    }
}
