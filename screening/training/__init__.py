"""Fine-tuning a machine-learned potential on the store's DFT rows (``znscreen finetune``)."""
