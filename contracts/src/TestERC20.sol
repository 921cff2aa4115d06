// SPDX-License-Identifier: MIT
// Test-only ERC-20 with configurable decimals and open minting; never deploy outside a devnet.
pragma solidity ^0.8.24;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

contract TestERC20 is ERC20 {
    uint8 private immutable _decimals;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Anyone may mint: this token exists only to give tests balances.
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
