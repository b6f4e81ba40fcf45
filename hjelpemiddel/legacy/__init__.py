"""Import of an old system's spreadsheets (issue 15): products, locations, devices, citizens with loans."""
