"""What users touch: Tensor, creation, ops, random, grad mode."""
