"""The generator of the SDK's typed layer (models, params, operations) from spec/."""
